<?php
// StartBBS test bed (tests/engines/php/startbbs.py), run with the PHP CLI on the test copy:
// users made through the engine's own User model, as its register action does once its form checks
// have passed (that form asks a captcha, and names of at least 3 characters: two corpus names have 2),
// and a logged-in session file for each user holding what the login action stores (that form asks a
// captcha too). The web server reads the sessions from the same folder (session.save_path).
// Usage: php startbbs_seed.php SITE < {"sessions": DIR, "users": [{"name", "email", "password"}]}
// Prints {"sessions": {user name: session id}}.
namespace think;

$site = rtrim($argv[1], '/');
$spec = json_decode(stream_get_contents(STDIN), true);
chdir($site);
define('APP_PATH', $site . '/app/');
require $site . '/thinkphp/base.php';
Container::get('app')->path(APP_PATH)->initialize();

$sessions = [];
foreach ($spec['users'] as $n => $u) {
    $row = Db::name('user')->where('username', $u['name'])->find();
    if (!$row) {  // (the admin exists: the installer made it)
        $model = new \app\common\model\User();
        $model->allowField(true)->save(['username' => $u['name'], 'email' => $u['email'],
                                        'password' => password_hash($u['password'], PASSWORD_DEFAULT)]);
        $row = Db::name('user')->where('username', $u['name'])->find();
    }
    $sid = 'fcstartbbs' . $n;
    $data = ['user_id' => $row['id'], 'group_id' => $row['group_id'], 'group_name' => get_group_name($row['group_id']),
             'user_name' => $row['username'], 'avatar' => $row['avatar'] . '_small.png'];
    // (TP's session prefix is "think": $_SESSION['think'][...])
    file_put_contents($spec['sessions'] . '/sess_' . $sid, 'think|' . serialize($data));
    $sessions[$u['name']] = $sid;
}
echo json_encode(["sessions" => $sessions], JSON_UNESCAPED_UNICODE), "\n";
