<?php
/*
 * forumcrawl test bed for WordPress + bbPress (run with php-cli: php bbpress_seed.php SITE_DIR BASE_URL STEP).
 *
 * STEP "install": WordPress's own wp_install() into the database named in SITE_DIR/wp-config.php, the site
 *   URL set to BASE_URL, pretty permalinks, the classic default theme, bbPress in the active plugins.
 * STEP "seed" (a second process, so that bbPress loads as on any request): reads a JSON spec on stdin
 *   (settings, users, threads, a blog post with comments), makes users with wp_insert_user, one forum with
 *   bbp_insert_forum, every topic and reply with bbp_insert_topic / bbp_insert_reply, the blog post with
 *   wp_insert_post / wp_insert_comment, flushes the rewrite rules, and prints the ground truth read back
 *   from the posts table as one JSON line.
 */
error_reporting(E_ERROR | E_PARSE);
[$self, $site, $base, $step] = $argv;
$url = parse_url($base);
$_SERVER['HTTP_HOST'] = $url['host'] . ':' . $url['port'];
$_SERVER['SERVER_NAME'] = $url['host'];
$_SERVER['SERVER_PORT'] = $url['port'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
$_SERVER['HTTP_USER_AGENT'] = 'forumcrawl-seed';

if ($step === 'install') {
    define('WP_INSTALLING', true);
    require $site . '/wp-load.php';
    require_once ABSPATH . 'wp-admin/includes/upgrade.php';
    $done = wp_install('bbPress 测试站', 'admin', 'admin@example.org', true, '', 'fc-admin-pw', 'en_US');
    if (is_wp_error($done) || empty($done['user_id'])) { fwrite(STDERR, "wp_install failed\n"); exit(2); }
    update_option('siteurl', $base);
    update_option('home', $base);
    update_option('permalink_structure', '/%year%/%monthnum%/%postname%/');
    update_option('template', 'twentytwentyone');
    update_option('stylesheet', 'twentytwentyone');
    update_option('active_plugins', array('bbpress/bbpress.php'));
    echo "installed\n";
    exit(0);
}

require $site . '/wp-load.php';
if (!function_exists('bbp_insert_topic')) { fwrite(STDERR, "bbPress is not loaded\n"); exit(2); }
do_action('activate_bbpress/bbpress.php');  // what activate_plugin() runs after including the file
$spec = json_decode(file_get_contents('php://stdin'), true);
foreach ($spec['settings'] as $k => $v) {
    update_option($k, $v);
}

function fc_date($t) { return gmdate('Y-m-d H:i:s', $t); }
function fc_check($id, $what) {
    if (is_wp_error($id) || !$id) {
        fwrite(STDERR, "$what failed: " . (is_wp_error($id) ? $id->get_error_message() : 'no id') . "\n");
        exit(2);
    }
    return $id;
}

$uids = array('admin' => 1);
wp_update_user(array('ID' => 1, 'display_name' => 'admin'));
foreach ($spec['users'] as $i => $name) {
    if ($name === 'admin') { continue; }
    // (user_login must be ASCII: WordPress strips other characters from logins; the name shown is display_name)
    $uid = fc_check(wp_insert_user(array('user_login' => "member$i", 'user_pass' => "fc-seed-pw-$i",
        'user_email' => "user$i@example.org", 'display_name' => $name, 'nickname' => $name,
        'role' => 'subscriber')), "wp_insert_user($name)");
    bbp_set_user_role($uid, bbp_get_participant_role());
    $uids[$name] = $uid;
}

$forum = fc_check(bbp_insert_forum(array('post_title' => 'Test forum', 'post_content' => 'forumcrawl test forum',
    'post_author' => 1)), 'bbp_insert_forum');
foreach ($spec['threads'] as $thread) {
    $first = array_shift($thread['posts']);
    $topic = fc_check(bbp_insert_topic(array('post_parent' => $forum, 'post_title' => $thread['title'],
        'post_content' => $first['content'], 'post_author' => $uids[$first['author']],
        'post_date' => fc_date($first['time']), 'post_date_gmt' => fc_date($first['time'])),
        array('forum_id' => $forum)), 'bbp_insert_topic');
    foreach ($thread['posts'] as $post) {
        fc_check(bbp_insert_reply(array('post_parent' => $topic, 'post_content' => $post['content'],
            'post_author' => $uids[$post['author']], 'post_date' => fc_date($post['time']),
            'post_date_gmt' => fc_date($post['time'])), array('forum_id' => $forum, 'topic_id' => $topic)),
            'bbp_insert_reply');
    }
}

$blog = $spec['blog'];
$post_id = fc_check(wp_insert_post(array('post_type' => 'post', 'post_status' => 'publish', 'post_author' => 1,
    'post_title' => $blog['title'], 'post_content' => $blog['content'], 'post_date' => fc_date($blog['time']),
    'post_date_gmt' => fc_date($blog['time']), 'tags_input' => $blog['tags'])), 'wp_insert_post');
foreach ($blog['comments'] as $c) {
    fc_check(wp_insert_comment(array('comment_post_ID' => $post_id, 'comment_author' => $c['author'],
        'comment_author_email' => 'reader@example.org', 'comment_content' => $c['text'], 'comment_approved' => 1,
        'comment_date' => fc_date($c['time']), 'comment_date_gmt' => fc_date($c['time']))), 'wp_insert_comment');
}
// The site's main menu: Home, Forums, and the sample page (a site owner links the forum from the menu).
$menu = fc_check(wp_create_nav_menu('Main'), 'wp_create_nav_menu');
wp_update_nav_menu_item($menu, 0, array('menu-item-title' => 'Home', 'menu-item-url' => home_url('/'),
    'menu-item-type' => 'custom', 'menu-item-status' => 'publish'));
wp_update_nav_menu_item($menu, 0, array('menu-item-title' => 'Forums', 'menu-item-url' => home_url('/forums/'),
    'menu-item-type' => 'custom', 'menu-item-status' => 'publish'));
set_theme_mod('nav_menu_locations', array('primary' => $menu));
flush_rewrite_rules(false);

// The ground truth, from the posts table: every topic with its lead post and replies in the order bbPress shows them.
global $wpdb;
$rows = $wpdb->get_results("SELECT p.ID, p.post_type, p.post_parent, p.post_title, p.post_date_gmt, p.post_content,
    u.display_name FROM {$wpdb->posts} p JOIN {$wpdb->users} u ON u.ID = p.post_author
    WHERE p.post_type IN ('topic', 'reply') AND p.post_status = 'publish' ORDER BY p.post_date, p.ID", ARRAY_A);
$topics = array();
foreach ($rows as $r) {
    $tid = $r['post_type'] === 'topic' ? $r['ID'] : $r['post_parent'];
    if (!isset($topics[$tid])) {
        $topics[$tid] = array('tid' => (int) $tid, 'title' => get_the_title($tid), 'url' => get_permalink($tid), 'posts' => array());
    }
    $topics[$tid]['posts'][] = array('pid' => (int) $r['ID'], 'author' => $r['display_name'],
        'date_gmt' => $r['post_date_gmt'], 'content' => $r['post_content']);
}
$comments = $wpdb->get_col("SELECT comment_content FROM {$wpdb->comments}");
echo json_encode(array('threads' => array_values($topics), 'forum_url' => get_permalink($forum),
    'blog_url' => get_permalink($post_id), 'comments' => $comments), JSON_UNESCAPED_UNICODE) . "\n";
